package dev.labprovisioner.webhook;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The event types of DESIGN §10, as they appear in a webhook's {@code type}. */
public enum WebhookEventType {
    LAB_READY("lab.ready"),
    LAB_FAILED("lab.failed"),
    LAB_EXPIRING("lab.expiring"),
    LAB_DELETED("lab.deleted"),
    CHECKPOINT_PASSED("checkpoint.passed"),
    CHECKPOINT_FAILED("checkpoint.failed"),
    LAB_COMPLETED("lab.completed");

    public static final List<String> ALL = Arrays.stream(values()).map(WebhookEventType::type).toList();

    private final String type;

    WebhookEventType(String type) {
        this.type = type;
    }

    public String type() {
        return type;
    }

    public static Optional<WebhookEventType> of(String type) {
        return Arrays.stream(values()).filter(t -> t.type.equals(type)).findFirst();
    }
}
