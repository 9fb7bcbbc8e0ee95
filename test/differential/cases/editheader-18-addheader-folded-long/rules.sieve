require ["editheader", "fileinto"];
addheader "X-Long" "a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n o p q r s t u v w x y z end";
if header :is "x-long" "a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n o p q r s t u v w x y z end" { fileinto "Same"; }
