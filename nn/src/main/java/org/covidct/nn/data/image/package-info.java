/**
 * Image decoding to 8-bit RGB and the transforms that turn an image into a normalised tensor.
 */
package org.covidct.nn.data.image;
