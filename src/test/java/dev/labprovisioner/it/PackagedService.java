package dev.labprovisioner.it;

import io.restassured.RestAssured;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/** The packaged jar ({@code target/quarkus-app/quarkus-run.jar}) as its own process, as an operator runs it. */
final class PackagedService {

    private PackagedService() {
    }

    /** Starts it with these settings (environment variables), its output in {@code log}. */
    static Process start(Map<String, String> env, Path log) throws IOException {
        var builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", "target/quarkus-app/quarkus-run.jar").redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Waits until the service RestAssured points at answers ready. */
    static void awaitReady() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> RestAssured.given().get("/q/health/ready").statusCode() == 200);
    }
}
