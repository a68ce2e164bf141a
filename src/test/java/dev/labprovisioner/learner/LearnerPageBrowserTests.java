package dev.labprovisioner.learner;

import dev.labprovisioner.Api;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * The learner page in a real headless browser (Debian's chromium driven by Playwright from npm): the learner
 * opens their link, sees the steps, presses Check and sees the status change. Saves
 * {@code target/learner-page.png}.
 * <p>
 * Needs {@code /usr/bin/chromium} and {@code npm ci} in {@code src/test/browser} (what {@code .ci/run} installs).
 * Without them the test is skipped, unless {@code LABS_REQUIRE_TEST_TOOLS=true} (set by CI) makes it fail.
 */
@QuarkusTest
class LearnerPageBrowserTests {

    private static final Path BROWSER_DIR = Path.of("src/test/browser");
    private static final Path SCREENSHOT = Path.of("target/learner-page.png");

    @TestHTTPResource("/")
    URL root;

    @Test
    void aLearnerSeesTheStepsPressesCheckAndSeesTheStatusChange() throws Exception {
        requireBrowser();
        String lms = Api.lmsClient();
        var created = Api.createLab(lms, Api.unique("browser"), "k8s-101").statusCode(202).extract();
        String id = created.path("id");
        String link = created.path("learnerUrl");
        // The link as this test's server answers it (the test port, not the configured public base URL).
        String url = root.toString() + link.substring(link.indexOf("learn/"));
        Api.awaitState(lms, id, "READY");
        Files.deleteIfExists(SCREENSHOT);

        Process node = new ProcessBuilder("node", "learner-page.mjs", url, "stable-identity", SCREENSHOT.toAbsolutePath().toString())
                .directory(BROWSER_DIR.toFile()).redirectErrorStream(true).start();
        boolean done = node.waitFor(120, TimeUnit.SECONDS);
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            node.destroyForcibly();
        }
        assertThat(done).as("browser run finished: %s", output).isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        assertThat(SCREENSHOT).isNotEmptyFile();
        // The press reached the service: the checkpoint was validated once, and passed.
        Api.as(lms).get("/api/v1/labs/" + id + "/progress").then().statusCode(200)
                .body("checkpoints.find { it.id == 'stable-identity' }.status", equalTo("PASSED"))
                .body("checkpoints.find { it.id == 'stable-identity' }.attempts", equalTo(1));
    }

    private static void requireBrowser() throws IOException {
        boolean chromium = Files.isExecutable(Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium")));
        boolean playwright = Files.isDirectory(BROWSER_DIR.resolve("node_modules/playwright-core"));
        String missing = (chromium ? "" : "chromium (apt-get install chromium) ") + (playwright ? "" : "playwright-core (cd src/test/browser && npm ci)");
        if ("true".equals(System.getenv("LABS_REQUIRE_TEST_TOOLS"))) {
            assertThat(missing).as("browser test prerequisites").isEmpty();
        }
        Assumptions.assumeTrue(missing.isEmpty(), "Skipping the browser test, missing: " + missing);
    }
}
