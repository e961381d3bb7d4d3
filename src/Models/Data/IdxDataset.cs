namespace SparseCore.Models.Data;

/// <summary>
/// Loads an MNIST-style pair of IDX files — images N×H×W and labels N — into an
/// <see cref="ImageDataset"/> with one channel. Shared by MNIST, Fashion-MNIST, KMNIST and the
/// like, which differ only in file location and class names.
/// </summary>
public static class IdxDataset
{
    public static ImageDataset Load(string imagesPath, string labelsPath, int classCount, IReadOnlyList<string>? classNames = null)
    {
        // Labels first: they are tiny, so a missing or malformed label file fails before the
        // images (47 MB for Fashion-MNIST) are decompressed.
        var labels = IdxReader.Read(labelsPath);
        var images = IdxReader.Read(imagesPath);

        if (images.Rank != 3)
            throw new DataFormatException(imagesPath, "ndim",
                $"images must have 3 dimensions (count, height, width), this file has {images.Rank}: [{string.Join(", ", images.Dimensions)}]");
        if (labels.Rank != 1)
            throw new DataFormatException(labelsPath, "ndim",
                $"labels must have 1 dimension (count), this file has {labels.Rank}: [{string.Join(", ", labels.Dimensions)}]");

        int imageCount = images.Dimensions[0];
        int labelCount = labels.Dimensions[0];
        if (imageCount != labelCount)
            throw new DataFormatException(imagesPath, "count",
                $"count mismatch: {imagesPath} holds {imageCount} images but {labelsPath} holds {labelCount} labels");

        var labelValues = new int[labelCount];
        for (int i = 0; i < labelValues.Length; i++)
            labelValues[i] = labels.Data[i];

        return ImageDataset.FromBytes(images.Data, labelValues, channels: 1,
            height: images.Dimensions[1], width: images.Dimensions[2], classCount, labelsPath, classNames);
    }
}
