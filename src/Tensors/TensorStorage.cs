using SparseCore.Kernels.Memory;

namespace SparseCore.Tensors;

/// <summary>A device buffer shared by a tensor and its reshaped views; freed when the last one lets go.</summary>
internal sealed class TensorStorage(DeviceBuffer<float> buffer)
{
    private int references = 1;

    public DeviceBuffer<float> Buffer { get; } = buffer;

    public void AddReference() => references++;

    public void Release()
    {
        if (--references == 0) Buffer.Dispose();
    }
}
