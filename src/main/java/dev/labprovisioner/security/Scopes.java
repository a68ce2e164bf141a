package dev.labprovisioner.security;

import java.util.Set;

/** The scopes a credential can carry; they are its roles for {@code @RolesAllowed}. */
public final class Scopes {

    public static final String LABS_READ = "labs:read";
    public static final String LABS_WRITE = "labs:write";
    public static final String ADMIN = "admin";
    public static final Set<String> ALL = Set.of(LABS_READ, LABS_WRITE, ADMIN);

    /** The principal name of the bootstrap credential, and the owner of the labs it creates. */
    public static final String BOOTSTRAP_OWNER = "admin";

    private Scopes() {
    }
}
