/**
 * Autograd, layers, losses, optimisers, models, weight files and the data API, on the tensors of
 * {@code org.covidct.tensor}.
 */
module org.covidct.nn {
    requires transitive org.covidct.tensor;
    requires com.fasterxml.jackson.databind;
    // JPEG decoding (ImageIO) and the weights download (HttpClient).
    requires java.desktop;
    requires java.net.http;

    exports org.covidct.nn;
    exports org.covidct.nn.autograd;
    exports org.covidct.nn.data;
    exports org.covidct.nn.data.image;
    exports org.covidct.nn.data.layout;
    exports org.covidct.nn.data.split;
    exports org.covidct.nn.gradcam;
    exports org.covidct.nn.io;
    exports org.covidct.nn.io.tflite;
    exports org.covidct.nn.models;
    exports org.covidct.nn.optim;
}
