package dev.labprovisioner.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The one way a kubeconfig is written: one cluster, one token user, one context with a namespace. */
public final class Kubeconfig {

    private Kubeconfig() {
    }

    /** {@code caPem}: the cluster's CA certificate in PEM, or null to trust the system's. */
    public static String yaml(String clusterName, String server, String caPem, String user, String token, String namespace) {
        var yaml = new StringBuilder()
                .append("apiVersion: v1\nkind: Config\n")
                .append("clusters:\n- name: ").append(clusterName).append("\n  cluster:\n    server: ").append(server).append('\n');
        if (caPem != null) {
            yaml.append("    certificate-authority-data: ")
                    .append(Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8))).append('\n');
        }
        yaml.append("users:\n- name: ").append(user).append("\n  user:\n    token: ").append(token).append('\n')
                .append("contexts:\n- name: ").append(namespace).append("\n  context:\n    cluster: ").append(clusterName)
                .append("\n    user: ").append(user).append("\n    namespace: ").append(namespace).append('\n')
                .append("current-context: ").append(namespace).append('\n');
        return yaml.toString();
    }
}
