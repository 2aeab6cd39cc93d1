# Reference values for tests/test_models_reference.py: R's glm and MASS::glm.nb on
# datasets::Seatbelts (UK drivers killed per month, 1969-1984).
# Run from the repository root:  Rscript tests/reference/seatbelts_glm.R
# Writes tests/reference/data/seatbelts.csv (the data, from R's datasets package) and
# tests/reference/seatbelts_glm.json (the estimates). The tests never need R.
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "glm_common.R"))
sb <- datasets::Seatbelts
d <- data.frame(month = sprintf("%04d-%02d", floor(time(sb) + 1e-9),
                                round((time(sb) - floor(time(sb) + 1e-9)) * 12) + 1),
                as.data.frame(sb))
d$time <- seq_len(nrow(d))
write.csv(d[, c("month", "DriversKilled", "drivers", "front", "rear", "kms", "PetrolPrice",
                "VanKilled", "law")],
          file.path(here, "data", "seatbelts.csv"), row.names = FALSE, quote = FALSE)
d$moy <- as.integer(substr(d$month, 6, 7))        # calendar month 1..12 (series starts in January)
d <- cbind(d, harmonic(d$moy, 2, 12))               # tsModel::harmonic(month, 2, 12)
rhs <- list(
  time_law = "time + law",
  time_law_harm2 = "time + law + sin1 + sin2 + cos1 + cos2",
  time_law_kms_petrol = "time + law + kms + PetrolPrice",
  time_law_logkms_logpetrol = "time + law + log(kms) + log(PetrolPrice)")
shown <- list(time_law_harm2 = "time + law + harmonic(month, 2, 12)")
models <- list()
for (fam in c("poisson", "quasipoisson", "negbin")) for (k in names(rhs)) {
  f <- as.formula(paste("DriversKilled ~", rhs[[k]]))
  txt <- paste("DriversKilled ~", if (is.null(shown[[k]])) rhs[[k]] else shown[[k]])
  m <- if (fam == "negbin") glm.nb(f, data = d) else glm(f, family = fam, data = d)
  call <- if (fam == "negbin") sprintf("MASS::glm.nb(%s)", txt) else sprintf("glm(%s, family = %s)", txt, fam)
  models[[paste(fam, k, sep = "_")]] <- record(m, paste0(call, "; time = 1..192, no offset"))
}
out <- c(list(source = "R datasets::Seatbelts (UK driver casualties 1969-1984, Harvey and Durbin 1986); https://stat.ethz.ch/R-manual/R-devel/library/datasets/html/UKDriverDeaths.html"),
         versions(), list(models = models))
write_json(out, file.path(here, "seatbelts_glm.json"), auto_unbox = TRUE, digits = NA, pretty = TRUE)
for (k in names(models)) { t <- models[[k]]$terms$law
  cat(sprintf("%-42s %.6f [%.6f, %.6f] profile [%.6f, %.6f]\n", k, t$rate_ratio, t$ci_low, t$ci_high,
              t$ci_low_profile, t$ci_high_profile)) }
