package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The Kubernetes client, on event loops of its own. Watch events are decoded on the client's event loops;
 * on the HTTP server's (Quarkus's default), a thousand labs' pod updates made API requests wait behind
 * them. Configuration is still Quarkus's ({@code quarkus.kubernetes-client.*}).
 */
@Singleton
public class KubernetesClientProducer {

    private Vertx vertx;

    @Produces
    @Singleton
    KubernetesClient kubernetesClient(KubernetesSerialization serialization, Config config) {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2).setUseDaemonThread(true));
        return new KubernetesClientBuilder().withConfig(config).withKubernetesSerialization(serialization)
                .withHttpClientFactory(new VertxHttpClientFactory(vertx)).build();
    }

    void close(@Disposes KubernetesClient client) {
        client.close();
        if (vertx != null) {
            vertx.close();
        }
    }
}
