/**
 * Stand-ins for the few types of the Jitterbit Connector SDK this example uses.
 *
 * <p>The real SDK jar ({@code org.jitterbit.connector.sdk}) is not published on any public
 * registry, so this example declares minimal look-alikes in its own package to stay
 * compilable with plain {@code javac}. A real connector deletes this package and imports the
 * SDK instead; the connector and activity classes keep the same shape.
 */
package com.example.weather.sdk;
