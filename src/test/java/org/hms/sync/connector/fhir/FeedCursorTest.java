package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hms.sync.SyncException;
import org.hms.sync.json.Json;
import org.junit.jupiter.api.Test;

/** The change feed's cursor as poll_state keeps it: overlap, versions seen, next link, size. */
class FeedCursorTest {
  private static final Instant T = Instant.parse("2027-03-01T08:00:00.500Z");

  @Test
  void at_the_start_the_search_asks_for_everything_and_the_cursor_is_null() {
    FeedCursor start = FeedCursor.parse(null);

    assertThat(start.criterion()).isNull();
    assertThat(start.write()).isNull();
    assertThat(start.advance(List.of(), null, null).write()).isNull();
  }

  @Test
  void the_search_reaches_one_second_before_the_newest_change_passed_on() {
    FeedCursor cursor =
        FeedCursor.start().advance(List.of(seen("7/1", T.minusMillis(300)), seen("8/2", T)), T, null);

    assertThat(cursor.criterion()).isEqualTo("ge2027-03-01T07:59:59.500Z");
    assertThat(Json.read(cursor.write()).path("after").asText()).isEqualTo(T.toString());
  }

  @Test
  void versions_in_the_overlap_are_remembered_through_a_round_trip_and_older_ones_forgotten() {
    FeedCursor cursor =
        FeedCursor.start()
            .advance(
                List.of(
                    seen("1/1", T.minusSeconds(5)),
                    seen("2/1", T.minusMillis(999)),
                    seen("3/4", T)),
                T,
                null);

    FeedCursor read = FeedCursor.parse(cursor.write());

    assertThat(read.hasSeen("1/1")).isFalse();
    assertThat(read.hasSeen("2/1")).isTrue();
    assertThat(read.hasSeen("3/4")).isTrue();
    assertThat(read.hasSeen("3/5")).as("another version of the same Appointment").isFalse();
    assertThat(read.write()).isEqualTo(cursor.write());
  }

  @Test
  void a_page_that_brings_nothing_newer_keeps_what_was_seen_and_the_cursor_text() {
    String text = FeedCursor.start().advance(List.of(seen("3/4", T)), T, null).write();

    FeedCursor again = FeedCursor.parse(text).advance(List.of(seen("3/4", T)), T, null);

    assertThat(again.write()).isEqualTo(text);
  }

  @Test
  void a_newer_change_moves_the_window_and_forgets_versions_that_fell_out_of_it() {
    FeedCursor first = FeedCursor.start().advance(List.of(seen("3/4", T)), T, null);

    FeedCursor second =
        FeedCursor.parse(first.write())
            .advance(List.of(seen("9/1", T.plusSeconds(2))), T.plusSeconds(2), null);

    assertThat(second.hasSeen("3/4")).isFalse();
    assertThat(second.hasSeen("9/1")).isTrue();
    assertThat(second.criterion()).isEqualTo("ge" + T.plusSeconds(1));
  }

  @Test
  void a_cursor_of_an_earlier_version_asks_for_changes_after_it_and_stays_until_one_comes() {
    String legacy = "2027-03-01T08:00:00.500+00:00";
    FeedCursor cursor = FeedCursor.parse(legacy);

    assertThat(cursor.criterion()).isEqualTo("gt" + legacy);
    assertThat(cursor.advance(List.of(), null, null).write()).isEqualTo(legacy);
    FeedCursor moved = cursor.advance(List.of(seen("5/1", T.plusMillis(200))), T.plusMillis(200), null);
    assertThat(moved.criterion())
        .as("the overlap would reach back before it: everything up to it was passed on")
        .isEqualTo("gt" + legacy);
    FeedCursor beyond =
        FeedCursor.parse(moved.write())
            .advance(List.of(seen("6/1", T.plusSeconds(3))), T.plusSeconds(3), null);
    assertThat(beyond.criterion()).isEqualTo("ge" + T.plusSeconds(2));
  }

  @Test
  void a_next_link_is_kept_while_a_search_is_read_and_dropped_when_too_long() {
    FeedCursor reading =
        FeedCursor.start().advance(List.of(seen("1/1", T)), T, "http://fhir.example/fhir?_getpages=a");
    FeedCursor tooLong =
        FeedCursor.start()
            .advance(List.of(seen("1/1", T)), T, "http://fhir.example/fhir?q=" + "x".repeat(1000));

    assertThat(FeedCursor.parse(reading.write()).next())
        .isEqualTo("http://fhir.example/fhir?_getpages=a");
    assertThat(tooLong.next()).isNull();
    assertThat(FeedCursor.parse(reading.write()).advance(List.of(), null, null).next()).isNull();
  }

  @Test
  void more_versions_than_fit_in_two_thousand_characters_keep_the_newest() {
    List<FeedCursor.Seen> many = new ArrayList<>();
    for (int index = 0; index < 400; index++) {
      many.add(seen("appointment-" + index + "/1", T.minusMillis(index)));
    }

    String text = FeedCursor.start().advance(many, T, null).write();
    FeedCursor read = FeedCursor.parse(text);

    assertThat(text.length()).isLessThanOrEqualTo(FeedCursor.MAX_LENGTH).isGreaterThan(1900);
    assertThat(read.hasSeen("appointment-0/1")).isTrue();
    assertThat(read.hasSeen("appointment-399/1")).isFalse();
  }

  @Test
  void a_cursor_changed_by_hand_that_cannot_be_read_says_how_to_go_on() {
    assertThatThrownBy(() -> FeedCursor.parse("{\"after\": \"yesterday\"}"))
        .isInstanceOf(SyncException.class)
        .hasMessage(
            "the stored cursor of the fhir change feed cannot be read (DateTimeParseException);"
                + " set poll_state.cursor of this connector to an instant such as"
                + " 2027-03-01T00:00:00Z to read on from there");
  }

  private static FeedCursor.Seen seen(String key, Instant lastUpdated) {
    return new FeedCursor.Seen(key, lastUpdated);
  }
}
