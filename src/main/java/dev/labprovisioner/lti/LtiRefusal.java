package dev.labprovisioner.lti;

/**
 * An LTI request this tool refuses (a 4xx), or cannot serve now (a 503): shown to the person in the LMS as a page saying
 * why, and logged with the reason only, never the token. Thrown before anything is created.
 */
public class LtiRefusal extends RuntimeException {

    private final int status;
    private final String title;

    public LtiRefusal(int status, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
    }

    public static LtiRefusal badRequest(String detail) {
        return new LtiRefusal(400, "This LTI launch cannot be accepted", detail);
    }

    public static LtiRefusal unauthorized(String detail) {
        return new LtiRefusal(401, "This LTI launch could not be verified", detail);
    }

    public static LtiRefusal unavailable(String detail) {
        return new LtiRefusal(503, "The LMS could not be reached", detail);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }
}
