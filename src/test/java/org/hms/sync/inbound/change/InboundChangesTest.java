package org.hms.sync.inbound.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.hms.sync.inbound.change.InboundChange.Action;
import org.hms.sync.json.Json;
import org.junit.jupiter.api.Test;

/** The strict shape of what an inbound mapping returns. */
class InboundChangesTest {
  private static java.util.List<InboundChange> read(String json) {
    return InboundChanges.read(Json.read(json));
  }

  @Test
  void a_full_change_is_read_and_an_offset_start_becomes_an_instant() {
    InboundChange change =
        read(
                """
                {"action":"reschedule","externalId":"e-1","appointmentId":"a-1","slotId":null,
                 "start":"2027-03-01T10:00:00+01:00","locationCode":"CLINIC-1",
                 "patientMrn":"MRN-1","reason":"moved","baseVersion":3}
                """)
            .get(0);

    assertThat(change)
        .isEqualTo(
            new InboundChange(Action.RESCHEDULE, "e-1", "a-1", null,
                Instant.parse("2027-03-01T09:00:00Z"), "CLINIC-1", "MRN-1", "moved", 3L));
    assertThat(change.toString()).doesNotContain("MRN-1", "moved");
  }

  @Test
  void an_array_gives_several_changes_and_null_gives_none() {
    assertThat(read("[{\"action\":\"cancel\",\"externalId\":\"a\"},"
            + "{\"action\":\"complete\",\"externalId\":\"b\"}]"))
        .extracting(InboundChange::action)
        .containsExactly(Action.CANCEL, Action.COMPLETE);
    assertThat(read("null")).isEmpty();
    assertThat(InboundChanges.read(null)).isEmpty();
  }

  @Test
  void unknown_keys_and_wrong_types_are_refused_by_key_without_the_value() {
    assertThatThrownBy(() -> read("{\"action\":\"cancel\",\"externalId\":\"a\",\"mrn\":\"M-9\"}"))
        .hasMessageContaining("unknown key 'mrn'")
        .hasMessageNotContaining("M-9");
    assertThatThrownBy(() -> read("{\"action\":\"cancel\",\"externalId\":7}"))
        .hasMessageContaining("externalId as a number");
    assertThatThrownBy(() -> read("[{\"action\":\"cancel\",\"externalId\":\"a\"}, 5]"))
        .hasMessageStartingWith("change [1] is a number");
    assertThatThrownBy(() -> read("\"cancel\""))
        .hasMessageContaining("must return a change object, an array of them, or null");
  }

  @Test
  void a_base_version_must_be_a_whole_number_of_zero_or_more() {
    assertThatThrownBy(() -> read("{\"action\":\"cancel\",\"externalId\":\"a\",\"baseVersion\":-1}"))
        .hasMessageContaining("baseVersion as a negative number");
    assertThatThrownBy(() -> read("{\"action\":\"cancel\",\"externalId\":\"a\",\"baseVersion\":1.5}"))
        .hasMessageContaining("baseVersion as a decimal number");
  }

  @Test
  void a_reschedule_or_booking_needs_a_slot_or_a_start() {
    assertThatThrownBy(() -> read("{\"action\":\"book\",\"externalId\":\"a\"}"))
        .hasMessageContaining("(book) has neither slotId nor start");
    assertThat(read("{\"action\":\"book\",\"externalId\":\"a\",\"slotId\":\"s-1\"}")).hasSize(1);
  }

  @Test
  void a_blank_external_id_or_an_unknown_action_is_refused() {
    assertThatThrownBy(() -> read("{\"action\":\"cancel\",\"externalId\":\" \"}"))
        .hasMessageContaining("has no externalId");
    assertThatThrownBy(() -> read("{\"action\":\"Cancel\",\"externalId\":\"a\"}"))
        .hasMessageContaining("unknown action");
  }
}
