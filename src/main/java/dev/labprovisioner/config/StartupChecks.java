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

    void check(@Observes @Priority(1) StartupEvent ignored, LabsConfig config) {
        if (config.mode() == LabsConfig.Mode.REAL) {
            String token = config.admin().bootstrapToken().orElse("");
            if (token.isBlank() || token.equals(SANDBOX_ADMIN_TOKEN) || token.equals("CHANGE-ME") || token.length() < 16) {
                throw new IllegalStateException("Real mode needs labs.admin.bootstrap-token (LABS_ADMIN_BOOTSTRAP_TOKEN): "
                        + "at least 16 characters, not a placeholder. Refusing to start.");
            }
            if (config.learner().signingKey().isEmpty()) {
                throw new IllegalStateException("Real mode needs labs.learner.signing-key (LABS_LEARNER_SIGNING_KEY). Refusing to start.");
            }
        } else if (config.admin().bootstrapToken().map(SANDBOX_ADMIN_TOKEN::equals).orElse(false)) {
            LOG.warnf("SANDBOX MODE: the admin bootstrap token defaults to '%s' (set LABS_ADMIN_BOOTSTRAP_TOKEN to change it)",
                    SANDBOX_ADMIN_TOKEN);
        }
    }
}
