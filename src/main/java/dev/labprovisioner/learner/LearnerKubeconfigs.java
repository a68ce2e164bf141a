package dev.labprovisioner.learner;

import dev.labprovisioner.cluster.KubernetesCalls;
import dev.labprovisioner.cluster.Kubeconfig;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabService;
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
 * A kubeconfig for one lab's namespace: a token for the learner's ServiceAccount from the TokenRequest API (the
 * learner ClusterRole, bound in the namespace only, confines it), in real mode and on the sandbox's control plane alike.
 * The sandbox's imitation answers TokenRequest too, and confines the token the same way.
 * <p>
 * The token is asked to live until the latest the lab may live (its creation plus the maximum lifetime), not its
 * current expiry: a kubeconfig downloaded before an extend keeps working after it. It dies with the lab all the same,
 * since a ServiceAccount token is bound to its ServiceAccount, which goes with the namespace.
 */
@ApplicationScoped
public class LearnerKubeconfigs {

    /** The TokenRequest API's shortest allowed lifetime. */
    private static final long MIN_TOKEN_SECONDS = 600;

    private final KubernetesClient client;
    private final KubernetesCalls calls;
    private final LabsConfig config;
    private final LabService labs;

    LearnerKubeconfigs(KubernetesClient client, KubernetesCalls calls, LabsConfig config, LabService labs) {
        this.client = client;
        this.calls = calls;
        this.config = config;
        this.labs = labs;
    }

    public String kubeconfig(Lab lab) {
        String server = config.cluster().learnerApiUrl().orElse(client.getConfiguration().getMasterUrl());
        long seconds = Math.max(MIN_TOKEN_SECONDS, Duration.between(Instant.now(), labs.lifetimeLimit(lab)).toSeconds());
        TokenRequest request = new TokenRequestBuilder().withNewMetadata().withName(LabNames.LEARNER_ACCOUNT).endMetadata()
                .withNewSpec().withExpirationSeconds(seconds).endSpec().build();
        String token = calls.call("token for the learner of " + lab.namespace, () -> client.serviceAccounts()
                .inNamespace(lab.namespace).withName(LabNames.LEARNER_ACCOUNT).tokenRequest(request)).getStatus().getToken();
        return Kubeconfig.yaml("lab", server, caPem(), LabNames.LEARNER_ACCOUNT, token, lab.namespace);
    }

    /** The CA the service trusts for its API server, in PEM. */
    private String caPem() {
        var c = client.getConfiguration();
        if (c.getCaCertData() != null) {
            return new String(Base64.getDecoder().decode(c.getCaCertData()), StandardCharsets.UTF_8);
        }
        if (c.getCaCertFile() != null) {
            try {
                return Files.readString(Path.of(c.getCaCertFile()));
            } catch (java.io.IOException e) {
                return null;
            }
        }
        return null;
    }
}
