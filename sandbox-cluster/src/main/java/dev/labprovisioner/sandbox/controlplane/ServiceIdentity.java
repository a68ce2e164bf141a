package dev.labprovisioner.sandbox.controlplane;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The service's own identity on the sandbox's control plane, made from the very files a deployment applies
 * ({@code k8s/namespace.yaml}, {@code serviceaccount.yaml}, {@code clusterrole.yaml} and
 * {@code clusterrolebinding.yaml}, copied onto the classpath by the build and read at start): what the
 * service may do in the sandbox is exactly what it may do in a real cluster.
 */
public final class ServiceIdentity {

    public static final String NAMESPACE = "lab-provisioner";
    public static final String ACCOUNT = "lab-provisioner";
    public static final String USERNAME = "system:serviceaccount:" + NAMESPACE + ":" + ACCOUNT;
    static final List<String> MANIFESTS = List.of("namespace.yaml", "serviceaccount.yaml", "clusterrole.yaml", "clusterrole-lab.yaml",
            "clusterrole-learner.yaml", "clusterrolebinding.yaml");
    /** The service's token outlives any sandbox session; the API server signs it, and RBAC confines it. */
    private static final long TOKEN_SECONDS = 365L * 24 * 3600;

    private ServiceIdentity() {
    }

    /** Applies the manifests with the administrator's client and returns a token for the service's ServiceAccount. */
    public static String create(KubernetesClient admin) {
        for (String name : MANIFESTS) {
            for (HasMetadata object : manifest(admin, name)) {
                admin.resource(object).forceConflicts().serverSideApply();
            }
        }
        return admin.serviceAccounts().inNamespace(NAMESPACE).withName(ACCOUNT)
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(TOKEN_SECONDS).endSpec().build())
                .getStatus().getToken();
    }

    static List<HasMetadata> manifest(KubernetesClient client, String name) {
        try (InputStream in = ServiceIdentity.class.getResourceAsStream("/deploy/k8s/" + name)) {
            if (in == null) {
                throw new IllegalStateException("k8s/" + name + " is not on the classpath (the build copies it to deploy/k8s/)");
            }
            return client.load(in).items();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
