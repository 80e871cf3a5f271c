package org.hms.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Text from external systems made fit for one line of a reason. */
class TextTest {

  @Test
  void whitespace_runs_become_one_space_and_the_ends_are_trimmed() {
    assertThat(Text.excerpt("  slot\r\n\t taken \u00a0 ", 100)).isEqualTo("slot taken");
  }

  @Test
  void control_characters_noncharacters_and_broken_surrogates_become_the_replacement_character() {
    assertThat(Text.excerpt("a\u0000b\u0007c\u009fd\uffffe\ud800f", 100))
        .isEqualTo("a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf");
  }

  @Test
  void a_long_text_is_cut_with_an_ellipsis_and_never_inside_a_surrogate_pair() {
    assertThat(Text.excerpt("x".repeat(500), 300)).hasSize(301).endsWith("x…");
    assertThat(Text.excerpt("ab\ud83d\ude00cd", 3)).isEqualTo("ab…");
    assertThat(Text.excerpt("ab\ud83d\ude00cd", 4)).isEqualTo("ab\ud83d\ude00…");
  }

  @Test
  void nothing_gives_an_empty_line() {
    assertThat(Text.excerpt(null, 10)).isEmpty();
    assertThat(Text.excerpt(" \n ", 10)).isEmpty();
  }
}
