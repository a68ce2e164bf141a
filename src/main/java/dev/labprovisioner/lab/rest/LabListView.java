package dev.labprovisioner.lab.rest;

import java.util.List;

public record LabListView(List<LabView> items, long total) {
}
