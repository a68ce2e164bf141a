package dev.labprovisioner.lab;

import dev.labprovisioner.config.LabsConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.Callable;

/**
 * The few threads ({@code labs.api.create-threads}) a create runs its SQL on. The request's body is read and its
 * answer written on the I/O thread; only the database work comes here, and waits its turn in arrival order. So a
 * class's burst of creates is answered first come, first served, instead of fifty threads sharing the cores and
 * every create being slow together (and each one handing its body and its answer between threads).
 * <p>
 * The work runs on the request's Vert.x context, so request-scoped beans (the Hibernate session) work in it,
 * and its result comes back on the I/O thread.
 */
@ApplicationScoped
public class CreateThreads {

    private final WorkerExecutor executor;

    CreateThreads(Vertx vertx, LabsConfig config) {
        this.executor = vertx.createSharedWorkerExecutor("lab-create", config.api().createThreads());
    }

    public <T> Uni<T> run(Callable<T> work) {
        return Uni.createFrom().completionStage(() -> executor.executeBlocking(work, false).toCompletionStage());
    }

    @PreDestroy
    void close() {
        executor.close();
    }
}
