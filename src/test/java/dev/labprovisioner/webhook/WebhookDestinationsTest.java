package dev.labprovisioner.webhook;

import dev.labprovisioner.problem.ProblemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;

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

    /** A DNS that answers what the test says: "lms.example" moves from a public address to a private one. */
    private static AddressLookup dns(Map<String, String> answers) {
        return host -> {
            String answer = answers.get(host);
            if (answer == null) {
                throw new UnknownHostException(host);
            }
            String[] literals = answer.split(",");
            InetAddress[] addresses = new InetAddress[literals.length];
            for (int i = 0; i < literals.length; i++) {
                addresses[i] = InetAddress.getByName(literals[i]); // literals: no lookup
            }
            return addresses;
        };
    }

    @Test
    void aNameThatNowResolvesToAPrivateAddressIsRefusedBeforeTheAttemptInRealMode() {
        var answers = new java.util.HashMap<>(Map.of("lms.example", "93.184.216.34"));
        var rules = new WebhookDestinations(false, false, dns(answers));
        URI url = rules.check("https://lms.example/hook");
        assertThat(rules.refusalBeforeAttempt(url)).isEmpty();

        for (String rebound : new String[]{"127.0.0.1", "10.0.0.5", "169.254.169.254", "::1", "93.184.216.34,192.168.0.7"}) {
            answers.put("lms.example", rebound);
            assertThat(rules.refusalBeforeAttempt(url)).as(rebound).hasValueSatisfying(why -> assertThat(why)
                    .startsWith("destination resolves to a private address (lms.example is now ")
                    .doesNotContain("/hook"));
        }
        // The same name and address under the sandbox's rules, or with private addresses allowed: sent.
        assertThat(new WebhookDestinations(true, true, dns(answers)).refusalBeforeAttempt(url)).isEmpty();
        // A name that no longer resolves is for the connection to fail on (recorded as unreachable), not a refusal.
        answers.remove("lms.example");
        assertThat(rules.refusalBeforeAttempt(url)).isEmpty();
    }

    @Test
    void subscribingChecksTheAddressesTheLookupGives() {
        var rules = new WebhookDestinations(false, false, dns(Map.of("inside.example", "10.9.8.7", "outside.example", "93.184.216.34")));
        assertThatThrownBy(() -> rules.check("https://inside.example/hook")).isInstanceOfSatisfying(ProblemException.class,
                e -> assertThat(e.problem().status()).isEqualTo(422));
        assertThat(rules.check("https://outside.example/hook")).hasToString("https://outside.example/hook");
    }
}
