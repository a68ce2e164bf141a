package dev.labprovisioner.checkpoint.kinds;

import dev.labprovisioner.checkpoint.Baseline;
import dev.labprovisioner.checkpoint.CheckpointKind;
import dev.labprovisioner.checkpoint.LabEvidence;
import dev.labprovisioner.checkpoint.Verdict;
import dev.labprovisioner.cluster.KubernetesCalls;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.cluster.LabObservation;
import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.template.CheckpointDefinition;
import dev.labprovisioner.timeline.TimelineEvent;
import dev.labprovisioner.timeline.TimelineEvent.Kind;
import dev.labprovisioner.timeline.TimelineEvent.Type;
import dev.labprovisioner.timeline.TimelineRecorder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code pod-identity-survives-deletion}: after write-data, postgres-0 was deleted and a new postgres-0 (new
 * UID) is Ready on the same claim (same UID) with the baseline data in it. Acting: the service deletes
 * postgres-0 itself, waits for the StatefulSet to bring it back, then judges. It deletes a pod, never a claim.
 */
@ApplicationScoped
public class PodSurvivesDeletion implements CheckpointKind.Acting {

    private static final Logger LOG = Logger.getLogger(PodSurvivesDeletion.class);

    private final KubernetesClient client;
    private final KubernetesCalls calls;
    private final TimelineRecorder recorder;
    private final LabsConfig config;

    PodSurvivesDeletion(KubernetesClient client, KubernetesCalls calls, TimelineRecorder recorder, LabsConfig config) {
        this.client = client;
        this.calls = calls;
        this.recorder = recorder;
        this.config = config;
    }

    @Override
    public String name() {
        return "pod-survives-deletion";
    }

    @Override
    public boolean readsLabData() {
        return true;
    }

    @Override
    public Verdict judge(LabEvidence lab, CheckpointDefinition checkpoint) {
        String podName = LabNames.podName(checkpoint.intParam("pod", 0));
        Optional<Baseline> baseline = lab.baseline();
        if (baseline.isEmpty()) {
            return Verdict.fail(DataRetention.NO_BASELINE);
        }
        if (!lab.podReady(podName)) {
            return Verdict.fail(lab.podState(podName) + ": wait for the StatefulSet to bring it back, then check again.");
        }
        Pod pod = lab.pod(podName).orElseThrow();
        String uid = pod.getMetadata().getUid();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("pod", podName);
        evidence.put("podUid", uid);
        Optional<TimelineEvent> deleted = lab.timeline().last(e -> e.is(Kind.POD, podName, Type.DELETED) && !e.uid().equals(uid)
                && !e.at().isBefore(baseline.get().takenAt()));
        if (deleted.isEmpty()) {
            return Verdict.fail(podName + " has not been deleted since write-data recorded your data (it is still the pod with UID " + uid
                    + "): delete it with kubectl delete pod " + podName + " and check again once it is back.", evidence);
        }
        evidence.put("deletedPodUid", deleted.get().uid());
        evidence.put("deletedAt", deleted.get().at().toString());
        lab.timeline().created(uid).ifPresent(c -> evidence.put("recreatedAt", c.at().toString()));
        Optional<String> dataProblem = DataRetention.problem(lab, checkpoint.intParam("pod", 0), evidence);
        if (dataProblem.isPresent()) {
            return Verdict.fail(dataProblem.get(), evidence);
        }
        return Verdict.pass("A new " + podName + " (UID " + uid + ", the deleted one was " + deleted.get().uid() + ") is Ready on the same claim "
                + evidence.get("claim") + " (UID " + evidence.get("claimUid") + "), and your data is all there.", evidence);
    }

    @Override
    public void act(LabEvidence lab, CheckpointDefinition checkpoint) {
        String podName = LabNames.podName(checkpoint.intParam("pod", 0));
        if (lab.baseline().isEmpty()) {
            throw ProblemException.conflict(DataRetention.NO_BASELINE);
        }
        Pod pod = lab.pod(podName).filter(LabObservation::ready)
                .orElseThrow(() -> ProblemException.conflict(lab.podState(podName) + ": the service only deletes a pod that is Ready."));
        // Only a pod whose data lives on the claim write-data saw: deleting any other could lose what it holds.
        String claimName = LabNames.claimName(checkpoint.intParam("pod", 0));
        String baselineClaim = lab.baseline().get().claimUids().get(claimName);
        String claimUid = lab.claim(claimName).map(c -> c.getMetadata().getUid()).orElse(null);
        if (!LabObservation.claimOf(pod).map(claimName::equals).orElse(false) || claimUid == null || !claimUid.equals(baselineClaim)) {
            throw ProblemException.conflict(podName + " does not run on the claim " + claimName + " your data was recorded on, so the service "
                    + "will not delete it: its data might not survive.");
        }
        String before = pod.getMetadata().getUid();
        var back = recorder.whenPod(lab.namespace(), podName, p -> !before.equals(p.getMetadata().getUid()) && LabObservation.ready(p));
        try {
            LOG.infof("Lab %s: deleting pod %s (UID %s) to prove its identity and data survive", lab.lab().id, podName, before);
            // This very pod and no other: a delete retried after its answer was lost would otherwise delete the pod the
            // StatefulSet has already put in its place (seen on the real API server under load).
            calls.run("delete pod " + podName + " (UID " + before + ")", () -> {
                Pod current = client.pods().inNamespace(lab.namespace()).withName(podName).get();
                if (current != null && before.equals(current.getMetadata().getUid()) && current.getMetadata().getDeletionTimestamp() == null) {
                    client.resource(current).lockResourceVersion().delete();
                }
            });
            back.get(config.checks().actTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.infof("Lab %s: %s not back Ready within %s", lab.lab().id, podName, config.checks().actTimeout());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            back.cancel(false);
        }
    }
}
