package dev.panamax.train;

/**
 * One row of the per-epoch table.
 *
 * @param valLoss     NaN without a validation set (likewise the accuracies)
 * @param topK        accuracy of the k best guesses on the validation set
 */
public record EpochStats(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy, double topK,
                         double lr, double seconds) {
    static final String CSV_HEADER = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_top_k,lr,seconds";

    String csv() {
        return String.format(java.util.Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.8g,%.3f",
                epoch, trainLoss, trainAccuracy, valLoss, valAccuracy, topK, lr, seconds);
    }

    static EpochStats parseCsv(String line) {
        String[] f = line.split(",");
        return new EpochStats(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]));
    }
}
