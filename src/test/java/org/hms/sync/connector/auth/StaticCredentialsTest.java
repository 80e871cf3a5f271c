package org.hms.sync.connector.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hms.sync.connector.auth.Tokens.header;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Optional;
import org.hms.sync.config.AuthConfig;
import org.junit.jupiter.api.Test;

/** The kinds that need no token endpoint: none, bearer, basic. */
class StaticCredentialsTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final Clock clock = Clock.systemUTC();

  @Test
  void none_sends_no_header() throws Exception {
    Credentials none = Credentials.of(AuthConfig.none(), http, clock);

    assertThat(none.authorization().get()).isEmpty();
    assertThat(none.preview()).isEmpty();
  }

  @Test
  void bearer_sends_the_token_and_previews_it_masked() {
    Credentials bearer =
        Credentials.of(new AuthConfig("bearer", "static-token-7", null, null), http, clock);

    assertThat(header(bearer)).isEqualTo("Bearer static-token-7");
    assertThat(bearer.preview()).isEqualTo(Optional.of("Bearer ***"));
    assertThat(bearer.toString()).doesNotContain("static-token-7");
  }

  @Test
  void basic_sends_base64_of_user_and_password_and_previews_it_masked() {
    Credentials basic =
        Credentials.of(new AuthConfig("basic", null, "clinic", "pa55word"), http, clock);

    assertThat(header(basic)).isEqualTo("Basic Y2xpbmljOnBhNTV3b3Jk");
    assertThat(basic.preview()).isEqualTo(Optional.of("Basic ***"));
    assertThat(basic.toString()).doesNotContain("pa55word").doesNotContain("Y2xpbmljOnBhNTV3b3Jk");
  }

  @Test
  void bearer_without_a_token_fails_at_start_up() {
    AuthConfig noToken = new AuthConfig("bearer", null, null, null);

    assertThatThrownBy(() -> Credentials.of(noToken, http, clock))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("auth.token");
  }

  @Test
  void an_unknown_type_names_the_types_there_are() {
    AuthConfig kerberos = new AuthConfig("kerberos", null, null, null);

    assertThatThrownBy(() -> Credentials.of(kerberos, http, clock))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("'kerberos'")
        .hasMessageContaining("none, bearer, basic, oauth2 or smart");
  }
}
