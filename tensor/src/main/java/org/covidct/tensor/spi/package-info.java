/**
 * The service interface through which backends in other artifacts plug into {@link org.covidct.tensor.Device}.
 * Library users do not need it; backend implementers do.
 */
package org.covidct.tensor.spi;
