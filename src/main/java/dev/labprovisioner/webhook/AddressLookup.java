package dev.labprovisioner.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A host's addresses, as DNS answers now. A seam so that tests can make a name resolve where they like. */
@FunctionalInterface
public interface AddressLookup {

    AddressLookup SYSTEM = InetAddress::getAllByName;

    InetAddress[] addresses(String host) throws UnknownHostException;
}
