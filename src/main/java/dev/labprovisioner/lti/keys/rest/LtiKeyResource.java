package dev.labprovisioner.lti.keys.rest;

import dev.labprovisioner.lti.keys.ToolKeys;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.security.Scopes;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** The tool's signing keys: listed and rotated by an admin; the public halves are at {@code GET /lti/jwks}. */
@Path("/api/v1/admin/lti/keys")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Scopes.ADMIN)
@Tag(name = "Admin: LTI")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "403", description = "Not an admin credential", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class LtiKeyResource {

    private final ToolKeys keys;

    LtiKeyResource(ToolKeys keys) {
        this.keys = keys;
    }

    @GET
    @Operation(operationId = "listLtiKeys", summary = "The tool's published signing keys", description = "Newest first: the current key and "
            + "those retired less than labs.lti.key-overlap ago. Ids and dates only; the public keys themselves are at GET /lti/jwks.")
    @APIResponse(responseCode = "200", description = "The keys", content = @Content(schema = @Schema(implementation = ToolKeyView.class, type = SchemaType.ARRAY)))
    public List<ToolKeyView> list() {
        return keys.keys().stream().map(ToolKeyView::of).toList();
    }

    @POST
    @Path("rotate")
    @Operation(operationId = "rotateLtiKey", summary = "Rotate the tool's signing key", description = "A new RSA key signs from now on. The "
            + "previous public key stays in /lti/jwks for labs.lti.key-overlap (72 h by default), so that platforms that cached the "
            + "key set still verify what was signed before. Answers the published keys, newest first.")
    @APIResponse(responseCode = "200", description = "Rotated; the published keys", content = @Content(schema = @Schema(implementation = ToolKeyView.class, type = SchemaType.ARRAY)))
    public List<ToolKeyView> rotate() {
        return keys.rotate().stream().map(ToolKeyView::of).toList();
    }
}
