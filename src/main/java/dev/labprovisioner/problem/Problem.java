package dev.labprovisioner.problem;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.core.Response;

/** The one error body of the API: RFC 9457 {@code application/problem+json}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(requiredProperties = {"type", "title", "status"}, description = "RFC 9457 problem details: what went wrong, in words a person can act on")
@RegisterForReflection // RequestLimits writes it with the ObjectMapper, outside RESTEasy's build-time writers
public record Problem(String type, String title, int status, String detail, String instance) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(Response.Status status, String detail) {
        return new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(), detail, null);
    }

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, null);
    }

    /** 503 with {@code Retry-After}: the caller may try the same request again after that many seconds. */
    public static Response serviceUnavailable(String detail, long retryAfterSeconds) {
        return Response.fromResponse(of(Response.Status.SERVICE_UNAVAILABLE, detail).toResponse())
                .header("Retry-After", retryAfterSeconds).build();
    }

    public Response toResponse() {
        var builder = Response.status(status).type(MEDIA_TYPE).entity(this);
        if (status == 401) {
            builder.header("WWW-Authenticate", "Bearer");
        }
        return builder.build();
    }
}
