package dev.labprovisioner.cluster;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.security.SigningKey;
import dev.labprovisioner.template.LabTemplate;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Base64;

/** Turns a lab record into what its objects are built from; the database password is derived, never stored. */
@ApplicationScoped
public class LabSpecs {

    private final SigningKey signingKey;
    private final LabsConfig config;

    LabSpecs(SigningKey signingKey, LabsConfig config) {
        this.signingKey = signingKey;
        this.config = config;
    }

    public LabSpec of(Lab lab, LabTemplate template) {
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(signingKey.sign("postgres-password-v1", lab.id));
        var cluster = config.cluster();
        return new LabSpec(lab.id, lab.courseId, lab.learnerId, template, password, cluster.podSecurityLevel(),
                cluster.serviceAccountNamespace(), cluster.serviceAccount());
    }
}
