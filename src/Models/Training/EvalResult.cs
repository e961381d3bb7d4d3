namespace SparseCore.Models.Training;

public sealed record EvalResult(double Loss, double Accuracy, int Samples);
