package dev.labprovisioner.lti.registration.rest;

import dev.labprovisioner.lti.registration.RegistrationService;
import dev.labprovisioner.lti.registration.ToolUrls;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.security.Scopes;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.List;
import java.util.UUID;

/** LTI 1.3 platform registrations (DESIGN §9): thin; the rules live in {@link RegistrationService}. */
@Path("/api/v1/admin/lti/platforms")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Scopes.ADMIN)
@Tag(name = "Admin: LTI", description = "LTI 1.3 platforms (LMSs) that may launch this tool, and the tool's signing keys (admin credential).")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "403", description = "Not an admin credential", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class LtiPlatformResource {

    private final RegistrationService registrations;
    private final ToolUrls urls;

    LtiPlatformResource(RegistrationService registrations, ToolUrls urls) {
        this.registrations = registrations;
        this.urls = urls;
    }

    @POST
    @Operation(operationId = "createLtiPlatform", summary = "Register an LTI 1.3 platform",
            description = "Stores what the LMS showed when the tool was registered there (issuer, client id, deployment ids, its login, "
                    + "token and key URLs) and the lab a plain launch opens. The answer's 'tool' holds the URLs to paste into the LMS.")
    @APIResponse(responseCode = "201", description = "Registered", content = @Content(schema = @Schema(implementation = RegistrationView.class)))
    @APIResponse(responseCode = "400", description = "A field missing or malformed, or an unknown template", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The issuer already has a registration for this client id", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "A platform URL that is not https (plain http only to loopback, where allowed)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response create(CreateRegistrationRequest request) {
        if (request == null) {
            throw ProblemException.badRequest("A JSON body {\"name\", \"issuer\", \"clientId\", \"deploymentIds\", \"authLoginUrl\", "
                    + "\"accessTokenUrl\", \"jwksUrl\", \"template\"} is required.");
        }
        var registration = registrations.create(request.toNew());
        return Response.created(URI.create("/api/v1/admin/lti/platforms/" + registration.id))
                .entity(RegistrationView.of(registration, urls)).build();
    }

    @GET
    @Operation(operationId = "listLtiPlatforms", summary = "List the LTI 1.3 platforms", description = "Oldest first, each with the tool's URLs.")
    @APIResponse(responseCode = "200", description = "The registrations",
            content = @Content(schema = @Schema(implementation = RegistrationView.class, type = SchemaType.ARRAY)))
    public List<RegistrationView> list() {
        return registrations.list().stream().map(r -> RegistrationView.of(r, urls)).toList();
    }

    @DELETE
    @Path("{id}")
    @Operation(operationId = "deleteLtiPlatform", summary = "Remove an LTI 1.3 platform",
            description = "Its launches are refused from now on. The labs its learners have stay, as every lab does, until they expire.")
    @APIResponse(responseCode = "204", description = "Removed")
    @APIResponse(responseCode = "404", description = "No such registration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response delete(@PathParam("id") UUID id) {
        registrations.delete(id);
        return Response.noContent().build();
    }
}
