package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;

/** The lab database's password; derived from the lab id with the service's key, so re-applying changes nothing. */
public final class PostgresSecret {

    private PostgresSecret() {
    }

    public static Secret desired(LabSpec lab) {
        return new SecretBuilder()
                .withNewMetadata().withName(LabNames.POSTGRES_SECRET).withNamespace(lab.namespace()).addToLabels(lab.labels()).endMetadata()
                .withType("Opaque")
                .addToStringData(LabNames.POSTGRES_PASSWORD_KEY, lab.postgresPassword())
                .addToStringData("username", "postgres")
                .build();
    }
}
