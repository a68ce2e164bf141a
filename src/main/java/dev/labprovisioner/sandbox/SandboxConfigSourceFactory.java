package dev.labprovisioner.sandbox;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Starts the sandbox's embedded PostgreSQL and Kubernetes API when {@code labs.mode=sandbox} and
 * points the datasource and the Kubernetes client at them.
 */
public class SandboxConfigSourceFactory implements ConfigSourceFactory {

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!"sandbox".equalsIgnoreCase(value(context, "labs.mode", "sandbox"))) {
            return List.of();
        }
        Path workDir = Path.of(value(context, "labs.sandbox.work-dir",
                Path.of(System.getProperty("java.io.tmpdir"), "lab-provisioner-sandbox").toString()));
        int apiPort = Integer.parseInt(value(context, "labs.sandbox.kubernetes-port", "0"));
        SandboxRuntime runtime = SandboxRuntime.startOnce(workDir, apiPort);
        return List.of(new PropertiesConfigSource(Map.of(
                "quarkus.datasource.jdbc.url", runtime.jdbcUrl(EmbeddedPostgresServer.SERVICE_DATABASE),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "",
                "quarkus.kubernetes-client.api-server-url", runtime.apiUrl(),
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", "default"),
                "lab-provisioner-sandbox", 275));
    }

    private static String value(ConfigSourceContext context, String name, String fallback) {
        ConfigValue v = context.getValue(name);
        return v == null || v.getValue() == null || v.getValue().isBlank() ? fallback : v.getValue();
    }
}
