package dev.labprovisioner.lab.rest;

public record ExtendRequest(Integer minutes) {
}
