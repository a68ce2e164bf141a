package dev.labprovisioner.client.rest;

import dev.labprovisioner.client.ApiClientService;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.security.Caller;
import dev.labprovisioner.security.Scopes;
import io.quarkus.security.identity.SecurityIdentity;
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
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.UUID;

@Path("/api/v1/admin/clients")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Scopes.ADMIN)
@Tag(name = "Admin: API clients", description = "The credentials an LMS uses: create, list, rotate, revoke (admin credential). A secret is shown once.")
@SecurityRequirement(name = "bearer")
public class AdminClientResource {

    private final ApiClientService clients;
    private final SecurityIdentity identity;

    AdminClientResource(ApiClientService clients, SecurityIdentity identity) {
        this.clients = clients;
        this.identity = identity;
    }

    @POST
    @Operation(operationId = "createApiClient", summary = "Create an API client", description = "The secret is in this answer only; it is stored as a hash. Audited (without the secret).")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(schema = @Schema(implementation = ApiClientView.class)))
    @APIResponse(responseCode = "400", description = "Bad name or scopes", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "Not an admin credential", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response create(CreateApiClientRequest request, @Context UriInfo uri) {
        if (request == null) {
            throw ProblemException.badRequest("A JSON body {\"name\", \"scopes\"} is required.");
        }
        var created = clients.create(Caller.of(identity), request.name(), request.scopes());
        return Response.created(uri.getAbsolutePathBuilder().path(created.client().id.toString()).build())
                .entity(ApiClientView.of(created.client(), created.secret())).build();
    }

    @GET
    @Operation(operationId = "listApiClients", summary = "List API clients", description = "Secrets are never shown again.")
    @APIResponse(responseCode = "200", description = "The clients", content = @Content(schema = @Schema(implementation = ApiClientView.class, type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY)))
    public List<ApiClientView> list() {
        return clients.list().stream().map(c -> ApiClientView.of(c, null)).toList();
    }

    @POST
    @Path("{id}/rotate")
    @Operation(operationId = "rotateApiClientSecret", summary = "Rotate an API client's secret", description = "A new secret, in this answer only; the old one stops working at once. "
            + "Scopes and the labs the client owns stay.")
    @APIResponse(responseCode = "200", description = "The client with its new secret", content = @Content(schema = @Schema(implementation = ApiClientView.class)))
    @APIResponse(responseCode = "404", description = "No such client", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The client is revoked", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ApiClientView rotate(@PathParam("id") UUID id) {
        var rotated = clients.rotate(Caller.of(identity), id);
        return ApiClientView.of(rotated.client(), rotated.secret());
    }

    @DELETE
    @Path("{id}")
    @Operation(operationId = "revokeApiClient", summary = "Revoke an API client", description = "Its secret stops working at once; revoking again is harmless. Audited.")
    @APIResponse(responseCode = "200", description = "Revoked", content = @Content(schema = @Schema(implementation = ApiClientView.class)))
    @APIResponse(responseCode = "404", description = "No such client", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ApiClientView revoke(@PathParam("id") UUID id) {
        return ApiClientView.of(clients.revoke(Caller.of(identity), id), null);
    }
}
