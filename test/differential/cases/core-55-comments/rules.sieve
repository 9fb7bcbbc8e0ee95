require "fileinto"; # hash comment
/* bracket comment
   spanning lines with "quotes" and ; */
if /* inline */ true { fileinto /* here too */ "Commented"; } # end
