package dev.labprovisioner.learner;

import dev.labprovisioner.cluster.KubernetesCalls;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.sandbox.SandboxRuntime;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * A kubeconfig for one lab's namespace. Real mode: a token for the learner's ServiceAccount from the
 * TokenRequest API, expiring with the lab (the Role confines it to the namespace). Sandbox: the in-process API.
 */
@ApplicationScoped
public class LearnerKubeconfigs {

    /** The TokenRequest API's shortest allowed lifetime. */
    private static final long MIN_TOKEN_SECONDS = 600;

    private final KubernetesClient client;
    private final KubernetesCalls calls;
    private final LabsConfig config;

    LearnerKubeconfigs(KubernetesClient client, KubernetesCalls calls, LabsConfig config) {
        this.client = client;
        this.calls = calls;
        this.config = config;
    }

    public String kubeconfig(Lab lab) {
        String server;
        String token;
        String caData = null;
        if (config.mode() == LabsConfig.Mode.SANDBOX) {
            server = SandboxRuntime.current().orElseThrow().apiUrl();
            token = "sandbox";
        } else {
            server = config.cluster().learnerApiUrl().orElse(client.getConfiguration().getMasterUrl());
            long seconds = Math.max(MIN_TOKEN_SECONDS, Duration.between(Instant.now(), lab.expiresAt).toSeconds());
            TokenRequest request = new TokenRequestBuilder().withNewMetadata().withName(LabNames.LEARNER_ACCOUNT).endMetadata()
                    .withNewSpec().withExpirationSeconds(seconds).endSpec().build();
            token = calls.call("token for the learner of " + lab.namespace, () -> client.serviceAccounts()
                    .inNamespace(lab.namespace).withName(LabNames.LEARNER_ACCOUNT).tokenRequest(request)).getStatus().getToken();
            caData = caData();
        }
        String cluster = "lab";
        String user = LabNames.LEARNER_ACCOUNT;
        var yaml = new StringBuilder()
                .append("apiVersion: v1\nkind: Config\n")
                .append("clusters:\n- name: ").append(cluster).append("\n  cluster:\n    server: ").append(server).append('\n');
        if (caData != null) {
            yaml.append("    certificate-authority-data: ").append(caData).append('\n');
        }
        yaml.append("users:\n- name: ").append(user).append("\n  user:\n    token: ").append(token).append('\n')
                .append("contexts:\n- name: ").append(lab.namespace).append("\n  context:\n    cluster: ").append(cluster)
                .append("\n    user: ").append(user).append("\n    namespace: ").append(lab.namespace).append('\n')
                .append("current-context: ").append(lab.namespace).append('\n');
        return yaml.toString();
    }

    private String caData() {
        var c = client.getConfiguration();
        if (c.getCaCertData() != null) {
            return c.getCaCertData();
        }
        if (c.getCaCertFile() != null) {
            try {
                return Base64.getEncoder().encodeToString(Files.readString(Path.of(c.getCaCertFile())).getBytes(StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                return null;
            }
        }
        return null;
    }
}
