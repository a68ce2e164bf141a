package dev.labprovisioner.sandbox;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;

/**
 * Starts the sandbox's embedded PostgreSQL and Kubernetes cluster when {@code labs.mode=sandbox} and
 * points the datasource and the Kubernetes client at them (on the control plane, with the service's own
 * ServiceAccount token).
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
        SandboxRuntime runtime = SandboxRuntime.startOnce(new SandboxRuntime.Request(workDir, apiPort,
                value(context, "labs.sandbox.engine", "auto"),
                Optional.ofNullable(value(context, "labs.sandbox.control-plane-bin", null)),
                value(context, "labs.sandbox.bind-address", "127.0.0.1"),
                DurationConverter.parseDuration(value(context, "labs.sandbox.postgres-restart-delay", "0s"))));
        var properties = new HashMap<>(runtime.serviceClientConfiguration());
        properties.put("quarkus.datasource.jdbc.url", runtime.jdbcUrl(EmbeddedPostgresServer.SERVICE_DATABASE));
        properties.put("quarkus.datasource.username", "postgres");
        properties.put("quarkus.datasource.password", "");
        return List.of(new PropertiesConfigSource(properties, "lab-provisioner-sandbox", 275));
    }

    private static String value(ConfigSourceContext context, String name, String fallback) {
        ConfigValue v = context.getValue(name);
        return v == null || v.getValue() == null || v.getValue().isBlank() ? fallback : v.getValue();
    }
}
