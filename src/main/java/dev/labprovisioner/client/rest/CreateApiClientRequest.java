package dev.labprovisioner.client.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

public record CreateApiClientRequest(
        @Schema(required = true, minLength = 1, maxLength = 100, pattern = "^[A-Za-z0-9][A-Za-z0-9 ._-]*$",
                description = "A name for people: letters, digits, spaces, '.', '_' or '-', starting with a letter or digit", examples = "canvas-prod")
        String name,
        // each item's enumeration (Scopes.ALL) is written by ApiDocument: an annotation cannot sit on the item type
        @Schema(required = true, minItems = 1, description = "What the client may do: labs:read, labs:write, admin")
        List<String> scopes) {
}
