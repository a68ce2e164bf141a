package dev.labprovisioner.sandboxclient;

import dev.labprovisioner.sandbox.SandboxControls;
import org.eclipse.microprofile.config.ConfigProvider;

import java.nio.file.Path;

/** The sandbox cluster the service under test runs on (its own process): what tests use to reach behind the service. */
public final class RunningSandbox {

    private RunningSandbox() {
    }

    public static SandboxConnection connection() {
        String file = ConfigProvider.getConfig().getValue("labs.sandbox.connection", String.class);
        return SandboxConnection.read(Path.of(file)).orElseThrow(() -> new IllegalStateException("No sandbox connection file " + file));
    }

    /** The imitation's request counters and fault injection. */
    public static SandboxControls controls() {
        return new SandboxControls(connection().kubernetesUrl());
    }
}
