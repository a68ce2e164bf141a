package dev.labprovisioner.webhook;

import dev.labprovisioner.problem.ProblemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which URLs may receive webhooks, in real mode (https only, public addresses only) and in the sandbox. */
class WebhookDestinationsTest {

    private final WebhookDestinations real = new WebhookDestinations(false, false);
    private final WebhookDestinations sandbox = new WebhookDestinations(true, true);

    @ParameterizedTest
    @ValueSource(strings = {"https://127.0.0.1/hook", "https://localhost:8443/hook", "https://10.1.2.3/hook", "https://172.16.0.9/hook",
            "https://192.168.1.1/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]/hook", "https://[fd00::1]/hook",
            "https://[fe80::1]/hook", "https://0.0.0.0/hook", "https://100.64.0.1/hook", "https://[::ffff:127.0.0.1]/hook"})
    void realModeRefusesLoopbackLinkLocalAndPrivateDestinationsWith422(String url) {
        assertThatThrownBy(() -> real.check(url)).isInstanceOfSatisfying(ProblemException.class,
                e -> assertThat(e.problem().status()).isEqualTo(422));
        assertThat(sandbox.check(url)).hasToString(url);
    }

    @Test
    void realModeRefusesPlainHttpWith422AndTakesAPublicHttpsAddress() {
        assertThatThrownBy(() -> real.check("http://93.184.216.34/hook")).isInstanceOfSatisfying(ProblemException.class,
                e -> assertThat(e.problem().status()).isEqualTo(422));
        assertThat(real.check("https://93.184.216.34/hook")).hasToString("https://93.184.216.34/hook");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not a url", "ftp://example.com/x", "/relative/path", "https://user:pw@example.com/hook",
            "https://example.com/hook#frag", "mailto:a@example.com"})
    void malformedDestinationsAre400EvenInTheSandbox(String url) {
        assertThatThrownBy(() -> sandbox.check(url)).isInstanceOfSatisfying(ProblemException.class,
                e -> assertThat(e.problem().status()).isEqualTo(400));
    }
}
