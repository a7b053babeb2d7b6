package org.covidct.nn.io.tflite;

/** A FlatBuffer whose offsets, lengths or values do not describe a valid object; the reader names the file. */
final class FlatBufferException extends RuntimeException {
    FlatBufferException(String message) {
        super(message);
    }
}
