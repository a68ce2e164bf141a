package dev.labprovisioner.checkpoint;

import dev.labprovisioner.cluster.LabClusterWatch;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.cluster.LabObservation;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.labdata.LabDatabase;
import dev.labprovisioner.labdata.TableDigest;
import dev.labprovisioner.timeline.LabTimeline;
import dev.labprovisioner.timeline.Timeline;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the checks of one validation may look at, read once and shared between them: the informers' view of
 * the namespace, the timeline, the data baseline and the lab database.
 */
public final class LabEvidence {

    private final Lab lab;
    private final LabClusterWatch watch;
    private final LabTimeline timelines;
    private final LabDatabase database;
    private final Supplier<Optional<Baseline>> baselineLoader;
    private Timeline timeline;
    private Optional<Baseline> baseline;
    private final Map<String, List<TableDigest>> digests = new HashMap<>();

    /** The lab's checkpoints that read its database: what a database that cannot be read holds up. */
    private final List<String> dataCheckpoints;

    LabEvidence(Lab lab, LabClusterWatch watch, LabTimeline timelines, LabDatabase database,
                Supplier<Optional<Baseline>> baselineLoader, List<String> dataCheckpoints) {
        this.lab = lab;
        this.dataCheckpoints = dataCheckpoints;
        this.watch = watch;
        this.timelines = timelines;
        this.database = database;
        this.baselineLoader = baselineLoader;
    }

    public Lab lab() {
        return lab;
    }

    public String namespace() {
        return lab.namespace;
    }

    public Optional<StatefulSet> statefulSet() {
        return watch.statefulSet(lab.namespace, LabNames.STATEFULSET);
    }

    public Optional<Pod> pod(String name) {
        return watch.pod(lab.namespace, name);
    }

    public Optional<PersistentVolumeClaim> claim(String name) {
        return watch.claim(lab.namespace, name);
    }

    /** The claims made from the StatefulSet's {@code data} template: {@code data-postgres-<i>}. */
    public List<PersistentVolumeClaim> claimsOfStatefulSet() {
        String prefix = LabNames.claimName(0).substring(0, LabNames.claimName(0).length() - 1);
        return watch.claims(lab.namespace).stream().filter(c -> c.getMetadata().getName().startsWith(prefix)).toList();
    }

    public Optional<Service> service(String name) {
        return watch.service(lab.namespace, name);
    }

    public Timeline timeline() {
        if (timeline == null) {
            timeline = timelines.of(lab.id);
        }
        return timeline;
    }

    public Optional<Baseline> baseline() {
        if (baseline == null) {
            baseline = baselineLoader.get();
        }
        return baseline;
    }

    /** The learner's tables in the database the pod serves (read once per pod per validation). */
    public List<TableDigest> tables(Pod pod) throws LabDatabase.LabDataException {
        List<TableDigest> known = digests.get(pod.getMetadata().getUid());
        if (known == null) {
            try {
                known = database.digest(lab, pod);
            } catch (LabDatabase.LabDataException e) {
                throw new LabDatabase.LabDataException(e.getMessage() + ". Until the lab's database can be read, these checkpoints "
                        + "cannot be judged: " + String.join(", ", dataCheckpoints) + ".", e);
            }
            digests.put(pod.getMetadata().getUid(), known);
        }
        return known;
    }

    /** Where a pod stands, in words: "postgres-2 does not exist", "postgres-2 is Pending", ... */
    public String podState(String name) {
        return pod(name).map(LabEvidence::describe).orElse(name + " does not exist");
    }

    public boolean podReady(String name) {
        return pod(name).map(LabObservation::ready).orElse(false);
    }

    static String describe(Pod pod) {
        String name = pod.getMetadata().getName();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return name + " is terminating";
        }
        if (LabObservation.ready(pod)) {
            return name + " is Ready";
        }
        String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
        return "Running".equals(phase) ? name + " is Running but not Ready yet" : name + " is " + phase;
    }

}
