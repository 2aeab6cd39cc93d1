# Reference values for tests/test_models_reference.py: R's glm on datasets::Seatbelts.
# Run from the repository root:  Rscript tests/reference/seatbelts_glm.R
# Writes tests/reference/data/seatbelts.csv (the data, from R's datasets package) and
# tests/reference/seatbelts_glm.json (the estimates). The tests never need R.
sb <- datasets::Seatbelts
d <- data.frame(month = sprintf("%04d-%02d", floor(time(sb) + 1e-9),
                                round((time(sb) - floor(time(sb) + 1e-9)) * 12) + 1),
                as.data.frame(sb))
d$time <- seq_len(nrow(d))
write.csv(d[, c("month", "DriversKilled", "drivers", "front", "rear", "kms", "PetrolPrice",
                "VanKilled", "law")],
          "tests/reference/data/seatbelts.csv", row.names = FALSE, quote = FALSE)
m <- glm(DriversKilled ~ time + law, family = poisson, data = d)
ci <- confint.default(m)
out <- list(
  source = "R datasets::Seatbelts (UK driver casualties 1969-1984, Harvey and Durbin 1986); https://stat.ethz.ch/R-manual/R-devel/library/datasets/html/UKDriverDeaths.html",
  r_version = R.version.string,
  models = list(poisson_time_law = list(
    formula = "glm(DriversKilled ~ time + law, family = poisson), time = 1..192, no offset",
    terms = lapply(setNames(names(coef(m)), names(coef(m))), function(k) list(
      estimate = unname(coef(m)[k]), se = unname(sqrt(diag(vcov(m)))[k]),
      rate_ratio = unname(exp(coef(m)[k])),
      ci_low = unname(exp(ci[k, 1])), ci_high = unname(exp(ci[k, 2])))),
    loglik = as.numeric(logLik(m)), aic = AIC(m), deviance = deviance(m))))
out$jsonlite_version <- as.character(packageVersion("jsonlite"))
jsonlite::write_json(out, "tests/reference/seatbelts_glm.json", auto_unbox = TRUE, digits = NA, pretty = TRUE)
