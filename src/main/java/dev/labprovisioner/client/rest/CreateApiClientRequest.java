package dev.labprovisioner.client.rest;

import java.util.List;

public record CreateApiClientRequest(String name, List<String> scopes) {
}
