package dev.labprovisioner.timeline;

import dev.labprovisioner.timeline.TimelineEvent.Kind;
import dev.labprovisioner.timeline.TimelineEvent.Type;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** A lab's timeline, oldest first, with the questions the ordering checks ask of it. */
public record Timeline(List<TimelineEvent> events) {

    public Timeline {
        events = List.copyOf(events);
    }

    /** When the object with this UID was first seen. */
    public Optional<TimelineEvent> created(String uid) {
        return first(e -> e.uid().equals(uid) && e.event() == Type.CREATED);
    }

    /** When the pod with this UID first became Ready. */
    public Optional<TimelineEvent> firstReady(String uid) {
        return first(e -> e.uid().equals(uid) && e.event() == Type.READY);
    }

    public Optional<TimelineEvent> first(Predicate<TimelineEvent> test) {
        return events.stream().filter(test).findFirst();
    }

    public Optional<TimelineEvent> last(Predicate<TimelineEvent> test) {
        TimelineEvent found = null;
        for (TimelineEvent e : events) {
            if (test.test(e)) {
                found = e;
            }
        }
        return Optional.ofNullable(found);
    }

    public List<TimelineEvent> all(Predicate<TimelineEvent> test) {
        return events.stream().filter(test).toList();
    }

    /**
     * Whether a pod named {@code podName} was Ready just before event {@code seq}, replaying the pod events
     * in the order seen: Ready from its READY event until UNREADY, TERMINATING or DELETED.
     */
    public boolean podReadyBefore(String podName, long seq) {
        Set<String> readyUids = new HashSet<>();
        for (TimelineEvent e : events) {
            if (e.seq() >= seq) {
                break;
            }
            if (e.kind() != Kind.POD || !e.name().equals(podName)) {
                continue;
            }
            switch (e.event()) {
                case READY -> readyUids.add(e.uid());
                case UNREADY, TERMINATING, DELETED -> readyUids.remove(e.uid());
                default -> {
                }
            }
        }
        return !readyUids.isEmpty();
    }
}
