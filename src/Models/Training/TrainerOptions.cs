namespace SparseCore.Models.Training;

public sealed record TrainerOptions
{
    public int Epochs { get; init; } = 10;
    public float LabelSmoothing { get; init; }
    /// <summary>Folder for metrics.csv; null writes nothing.</summary>
    public string? RunFolder { get; init; }
}
