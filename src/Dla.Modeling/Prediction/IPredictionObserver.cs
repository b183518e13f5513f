namespace Dla.Modeling.Prediction;

/// <summary>
/// Receives <see cref="BatchPredictor"/>'s stage timings, e.g. to record metrics, without the predictor
/// depending on a metrics library. Called from the decoding workers concurrently: implementations must be
/// thread-safe and cheap.
/// </summary>
public interface IPredictionObserver
{
    /// <summary>One image's encoded bytes were read (<see cref="ImageSource.ReadAsync"/>), successfully or not.</summary>
    /// <param name="elapsed">Wall time of the read.</param>
    void ImageRead(TimeSpan elapsed);

    /// <summary>One image was decoded and preprocessed into the input tensor, successfully or not.</summary>
    /// <param name="elapsed">Wall time of decoding, resizing, cropping and normalising.</param>
    void ImageDecoded(TimeSpan elapsed);

    /// <summary>One inference call ran.</summary>
    /// <param name="images">Images in the call (failed images are left out, so it may be below the batch size).</param>
    /// <param name="elapsed">Wall time of the model run, copies to and from the device included.</param>
    void BatchInferred(int images, TimeSpan elapsed);
}
