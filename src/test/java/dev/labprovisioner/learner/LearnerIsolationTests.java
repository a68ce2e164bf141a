package dev.labprovisioner.learner;

import dev.labprovisioner.Api;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * On the sandbox's imitation, as on a real cluster: the kubeconfig of a learner's link holds a token of their own
 * (TokenRequest) that reaches their namespace, for what the learner ClusterRole grants, and nothing else. Another lab's
 * Secrets, deleting a namespace, cluster-scoped objects (a ClusterRoleBinding to cluster-admin) are 403; once the lab is
 * torn down the token is 401. ({@code RealControlPlaneTests} asserts the same on upstream's API server.)
 */
@QuarkusTest
class LearnerIsolationTests {

    private record Lab(String lms, String id, String namespace, String kubeconfig, KubernetesClient kube) {
        static Lab ready() {
            String lms = Api.lmsClient();
            var created = Api.createLab(lms, Api.unique("isolated"), "isolation").statusCode(202).extract();
            String id = created.path("id");
            Api.awaitState(lms, id, "READY");
            String url = created.path("learnerUrl");
            String kubeconfig = given().get(url.substring(url.indexOf("/learn/")) + "/kubeconfig").then().statusCode(200).extract().asString();
            return new Lab(lms, id, created.path("namespace"), kubeconfig, new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build());
        }
    }

    private static void refused(int code, Executable call) {
        KubernetesClientException e = assertThrows(KubernetesClientException.class, call);
        assertThat(e.getCode()).as(e.getMessage()).isEqualTo(code);
    }

    @Test
    void aLearnersKubeconfigReachesTheirNamespaceForWhatTheLabTeachesAndNothingElse() {
        Lab lab = Lab.ready();
        Lab other = Lab.ready();
        try {
            var kube = lab.kube();
            assertThat(lab.kubeconfig()).contains("token: tokenrequest-");
            // What the steps need, in their namespace.
            assertThat(kube.pods().inNamespace(lab.namespace()).list().getItems()).isNotEmpty();
            assertThat(kube.apps().statefulSets().inNamespace(lab.namespace()).withName("postgres").get()).isNotNull();
            kube.apps().statefulSets().inNamespace(lab.namespace()).withName("postgres").scale(2);
            assertThat(kube.persistentVolumeClaims().inNamespace(lab.namespace()).list().getItems()).isNotEmpty();
            assertThat(kube.secrets().inNamespace(lab.namespace()).withName("postgres-credentials").get()).isNotNull();
            // Not the rest of their own namespace: other Secrets, the Service, the isolation objects.
            refused(403, () -> kube.secrets().inNamespace(lab.namespace()).list());
            refused(403, () -> kube.services().inNamespace(lab.namespace()).withName("postgres").delete());
            refused(403, () -> kube.network().v1().networkPolicies().inNamespace(lab.namespace()).withName("lab-isolation").delete());
            refused(403, () -> kube.rbac().roleBindings().inNamespace(lab.namespace()).list());
            // Nothing in another lab's namespace.
            refused(403, () -> kube.secrets().inNamespace(other.namespace()).withName("postgres-credentials").get());
            refused(403, () -> kube.pods().inNamespace(other.namespace()).list());
            refused(403, () -> kube.apps().statefulSets().inNamespace(other.namespace()).withName("postgres").delete());
            // Nothing cluster-scoped: namespaces (their own included), nodes, RBAC.
            refused(403, () -> kube.namespaces().withName(other.namespace()).delete());
            refused(403, () -> kube.namespaces().withName(lab.namespace()).delete());
            refused(403, () -> kube.namespaces().list());
            refused(403, () -> kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("mine").endMetadata().build()).create());
            refused(403, () -> kube.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata().withName("mine")
                    .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("cluster-admin")
                    .endRoleRef().addNewSubject().withKind("ServiceAccount").withName("learner").withNamespace(lab.namespace()).endSubject()
                    .build()).create());
            Api.as(lab.lms()).get("/api/v1/labs/" + other.id()).then().statusCode(404); // another client's lab, and untouched:
            Api.as(other.lms()).get("/api/v1/labs/" + other.id()).then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("READY"));

            // The lab is torn down: its token dies with its ServiceAccount.
            Api.as(lab.lms()).delete("/api/v1/labs/" + lab.id()).then().statusCode(202);
            Api.awaitState(lab.lms(), lab.id(), "DELETED", Duration.ofSeconds(30));
            refused(401, () -> kube.pods().inNamespace(lab.namespace()).list());
        } finally {
            lab.kube().close();
            other.kube().close();
        }
    }
}
