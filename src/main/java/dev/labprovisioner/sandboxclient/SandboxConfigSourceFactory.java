package dev.labprovisioner.sandboxclient;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Sandbox mode ({@code labs.mode=sandbox}): before the application's configuration is read (the datasource and the
 * Kubernetes client need the sandbox's addresses), starts the sandbox cluster as its own process, or attaches to the one
 * whose connection file {@code labs.sandbox.attach} names, and points the service at it as a plain client (its answer
 * includes {@code labs.sandbox.connection}, the file of the sandbox in use).
 */
public class SandboxConfigSourceFactory implements ConfigSourceFactory {

    /** {@code labs.sandbox.*} settings passed on to {@code sandbox-cluster/run} as its options of the same names. */
    private static final List<String> PASSED_ON = List.of("engine", "control-plane-bin", "bind-address", "kubernetes-port",
            "pod-ready-delay", "pod-termination-delay", "node-cpu-cores", "unpullable-images", "postgres-restart-delay");

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!"sandbox".equalsIgnoreCase(value(context, "labs.mode", "sandbox"))) {
            return List.of();
        }
        // Only the user's setting: labs.sandbox.connection is this factory's own answer (and Quarkus may carry a value of it
        // recorded at build time, perhaps by another test profile's application).
        String attach = value(context, "labs.sandbox.attach", null);
        SandboxConnection connection;
        if (attach != null) {
            connection = SandboxProcess.attach(Path.of(attach));
        } else {
            var options = new LinkedHashMap<String, String>();
            for (String name : PASSED_ON) {
                String v = value(context, "labs.sandbox." + name, null);
                if (v != null) {
                    options.put(name, v);
                }
            }
            connection = SandboxProcess.startOnce(new SandboxProcess.Request(Path.of(value(context, "labs.sandbox.launcher", "sandbox-cluster/run")),
                    Path.of(value(context, "labs.sandbox.work-dir", Path.of(System.getProperty("java.io.tmpdir"), "lab-provisioner-sandbox").toString())),
                    options));
        }
        return List.of(new PropertiesConfigSource(connection.serviceConfiguration(), "lab-provisioner-sandbox", 275));
    }

    private static String value(ConfigSourceContext context, String name, String fallback) {
        ConfigValue v = context.getValue(name);
        return v == null || v.getValue() == null || v.getValue().isBlank() ? fallback : v.getValue();
    }
}
