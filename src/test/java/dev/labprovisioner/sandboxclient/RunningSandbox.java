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

    /** The imitation's request counters and fault injection: the administrator's (their kubeconfig's token and CA). */
    public static SandboxControls controls() {
        SandboxConnection c = connection();
        try {
            var admin = io.fabric8.kubernetes.client.Config.fromKubeconfig(java.nio.file.Files.readString(Path.of(c.adminKubeconfig().orElseThrow())));
            String ca = new String(java.util.Base64.getDecoder().decode(admin.getCaCertData()), java.nio.charset.StandardCharsets.US_ASCII);
            return new SandboxControls(c.kubernetesUrl(), ca, admin.getOauthToken() != null ? admin.getOauthToken() : admin.getAutoOAuthToken());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
