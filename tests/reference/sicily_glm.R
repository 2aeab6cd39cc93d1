# Reference values for tests/test_models_reference.py: the four models of the interrupted
# time series tutorial of Lopez Bernal, Cummins and Gasparrini (Int J Epidemiol 2017;46:348-55),
# on its Sicily data (data/sicily.csv, from
# https://github.com/gasparrini/2017_lopezbernal_IJE_codedata/blob/master/sicily.csv), with the
# authors' formulas (Rcode.R of that repository). The tests never need R.
#   Rscript tests/reference/sicily_glm.R          (from the repository root)
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "glm_common.R"))
data <- read.csv(file.path(here, "..", "..", "data", "sicily.csv"))
H <- harmonic(data$month, 2, 12)   # tsModel::harmonic(month, 2, 12)
data <- cbind(data, H)
models <- list(
  model1 = list(glm(aces ~ offset(log(stdpop)) + smokban + time, family = poisson, data),
                "glm(aces ~ offset(log(stdpop)) + smokban + time, family = poisson)"),
  model2 = list(glm(aces ~ offset(log(stdpop)) + smokban + time, family = quasipoisson, data),
                "glm(aces ~ offset(log(stdpop)) + smokban + time, family = quasipoisson)"),
  model3 = list(glm(aces ~ offset(log(stdpop)) + smokban + time + sin1 + sin2 + cos1 + cos2,
                    family = quasipoisson, data),
                "glm(aces ~ offset(log(stdpop)) + smokban + time + harmonic(month, 2, 12), family = quasipoisson)"),
  model4 = list(glm(aces ~ offset(log(stdpop)) + smokban + time + I(time - 36):smokban +
                      sin1 + sin2 + cos1 + cos2, family = quasipoisson, data),
                "glm(aces ~ offset(log(stdpop)) + smokban + time + I(time - 36):smokban + harmonic(month, 2, 12), family = quasipoisson)"))
out <- c(list(source = "https://github.com/gasparrini/2017_lopezbernal_IJE_codedata (sicily.csv, Rcode.R)",
              published = "Lopez Bernal et al. 2017, Table/Figure of the seasonally adjusted model: RR 0.885 (95% CI 0.839-0.933)"),
         versions(),
         list(models = lapply(models, function(x) record(x[[1]], x[[2]]))))
write_json(out, file.path(here, "sicily_glm.json"), auto_unbox = TRUE, digits = NA, pretty = TRUE)
for (k in names(out$models)) { t <- out$models[[k]]$terms$smokban
  cat(k, t$rate_ratio, t$ci_low, t$ci_high, "profile", t$ci_low_profile, t$ci_high_profile, "\n") }
