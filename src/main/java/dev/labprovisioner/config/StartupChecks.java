package dev.labprovisioner.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Refuses to start in real mode without the credentials real mode needs; says loudly what sandbox defaults. */
@Singleton
public class StartupChecks {

    private static final Logger LOG = Logger.getLogger(StartupChecks.class);
    public static final String SANDBOX_ADMIN_TOKEN = "sandbox-admin-token";

    void check(@Observes @Priority(1) StartupEvent ignored, LabsConfig config, io.fabric8.kubernetes.client.KubernetesClient client) {
        if (config.mode() == LabsConfig.Mode.REAL) {
            String token = config.admin().bootstrapToken().orElse("");
            if (token.isBlank() || token.equals(SANDBOX_ADMIN_TOKEN) || token.equals("CHANGE-ME") || token.length() < 16) {
                throw new IllegalStateException("Real mode needs labs.admin.bootstrap-token (LABS_ADMIN_BOOTSTRAP_TOKEN): "
                        + "at least 16 characters, not a placeholder. Refusing to start.");
            }
            if (config.learner().signingKey().isEmpty()) {
                throw new IllegalStateException("Real mode needs labs.learner.signing-key (LABS_LEARNER_SIGNING_KEY). Refusing to start.");
            }
            if (config.lti().keyEncryptionKey().isEmpty()) {
                throw new IllegalStateException("Real mode needs labs.lti.key-encryption-key (LABS_LTI_KEY_ENCRYPTION_KEY), which encrypts "
                        + "the LTI tool's private keys at rest. Refusing to start.");
            }
            String apiUrl = client.getConfiguration().getMasterUrl();
            if (config.cluster().learnerApiUrl().isEmpty() && inClusterAddress(apiUrl)) {
                throw new IllegalStateException("The service reaches the API server at its in-cluster address " + apiUrl
                        + ", which a learner's kubectl cannot reach: set labs.cluster.learner-api-url (LABS_CLUSTER_LEARNER_API_URL) "
                        + "to the API server's address as learners reach it. Refusing to start.");
            }
        } else if (config.admin().bootstrapToken().map(SANDBOX_ADMIN_TOKEN::equals).orElse(false)) {
            LOG.warnf("SANDBOX MODE: the admin bootstrap token defaults to '%s' (set LABS_ADMIN_BOOTSTRAP_TOKEN to change it)",
                    SANDBOX_ADMIN_TOKEN);
        }
    }

    /** The API server's address inside a cluster (the kubernetes Service), which only pods can reach. */
    static boolean inClusterAddress(String url) {
        String host = java.net.URI.create(url).getHost();
        if (host == null) {
            return false;
        }
        String serviceHost = System.getenv("KUBERNETES_SERVICE_HOST");
        return host.equals("kubernetes") || host.startsWith("kubernetes.default") || host.equals(serviceHost);
    }
}
