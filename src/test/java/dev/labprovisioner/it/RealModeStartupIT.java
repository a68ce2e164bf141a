package dev.labprovisioner.it;

import dev.labprovisioner.sandbox.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Real mode (the packaged app's default profile) refuses to start without its credentials. */
class RealModeStartupIT {

    static EmbeddedPostgresServer postgres;

    @BeforeAll
    static void database() {
        postgres = EmbeddedPostgresServer.start(Path.of("target/real-mode-it").toAbsolutePath());
    }

    @AfterAll
    static void stop() throws IOException {
        postgres.close();
    }

    @Test
    void withoutAnAdminBootstrapTokenItRefusesToStart() throws Exception {
        var run = start(Map.of());
        assertThat(run.exitCode).isNotZero();
        assertThat(run.output).contains("Real mode needs labs.admin.bootstrap-token").contains("Refusing to start")
                .doesNotContain("SANDBOX MODE");
    }

    @Test
    void aPlaceholderTokenOrAMissingSigningKeyIsRefusedToo() throws Exception {
        assertThat(start(Map.of("LABS_ADMIN_BOOTSTRAP_TOKEN", "CHANGE-ME")).output).contains("not a placeholder");
        var run = start(Map.of("LABS_ADMIN_BOOTSTRAP_TOKEN", "a-long-enough-admin-token-1234"));
        assertThat(run.exitCode).isNotZero();
        assertThat(run.output).contains("labs.learner.signing-key").doesNotContain("a-long-enough-admin-token-1234");
    }

    @Test
    void learnersWouldGetAKubeconfigForTheInClusterAddressSoItRefusesToStartUntilTheirAddressIsSet() throws Exception {
        var run = start(Map.of("LABS_ADMIN_BOOTSTRAP_TOKEN", "a-long-enough-admin-token-1234",
                "LABS_LEARNER_SIGNING_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]),
                "LABS_LTI_KEY_ENCRYPTION_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]),
                "QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", "https://kubernetes.default.svc:443"));
        assertThat(run.exitCode).isNotZero();
        assertThat(run.output).contains("in-cluster address https://kubernetes.default.svc:443").contains("LABS_CLUSTER_LEARNER_API_URL")
                .contains("Refusing to start");
    }

    record Run(int exitCode, String output) {
    }

    static Run start(Map<String, String> env) throws Exception {
        Path log = Files.createTempFile(Path.of("target"), "real-mode", ".log");
        var builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("QUARKUS_HTTP_PORT", "0");
        builder.environment().put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(EmbeddedPostgresServer.SERVICE_DATABASE));
        builder.environment().put("QUARKUS_DATASOURCE_USERNAME", postgres.user());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("real mode kept running without its credentials: " + Files.readString(log));
        }
        return new Run(process.exitValue(), Files.readString(log));
    }
}
